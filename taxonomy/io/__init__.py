"""Import and export of whole taxonomies: nested JSON, flat CSV and IAB-style adjacency lists."""

from .errors import TaxonomyImportError
from .exporters import export_csv, export_json
from .importer import ImportResult, taxonomy_import
from .parsers import ParsedTaxonomy, parse_taxonomy_file

__all__ = [
    "ImportResult",
    "ParsedTaxonomy",
    "TaxonomyImportError",
    "export_csv",
    "export_json",
    "parse_taxonomy_file",
    "taxonomy_import",
]
