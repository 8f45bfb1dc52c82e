"""The Azure cost details connector: EA, MCA ("Azure plan", camelCase) and older exports."""
