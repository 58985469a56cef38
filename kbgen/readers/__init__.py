"""Reading a content folder into the knowledge base: articles, categories, products, synonyms."""
