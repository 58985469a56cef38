"""Search: text analysis, the index, ranking by words and by meaning, the site's index files."""
