"""Text formats read with their positions: YAML that remembers lines, Markdown scanned without rendering."""
