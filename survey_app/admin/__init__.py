"""Admin: survey editor, definition upload/download, sites and departments, distribution."""
