"""One folder per source kind, each with its reader, normalisation and assets."""
