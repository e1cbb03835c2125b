"""The category system: taxonomies, categories (a tree), labeling standards, releases and their mappings."""
