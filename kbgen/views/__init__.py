"""What each page shows, computed from the model: navigation, markup, page contexts, JSON-LD."""
