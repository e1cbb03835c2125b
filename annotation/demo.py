"""Demo clips and programs (filled in by the media pipeline)."""
