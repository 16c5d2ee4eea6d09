"""Domain types shared by the format models and the lint rules (iSCSI names, WWIDs)."""
