"""The Oracle Cloud (OCI) cost report connector."""
