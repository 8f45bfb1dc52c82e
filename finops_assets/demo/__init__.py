"""Demo data: generated FOCUS 1.2 billing files and a whole workspace for trying the platform
without provider exports."""
