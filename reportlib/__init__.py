import sys as _sys

__version__ = "0.1.0"

# jsonschema, which nbformat imports, imports rfc3987-syntax when it is installed (jupyterlab
# brings it, through jupyter-events' jsonschema[format-nongpl]); rfc3987-syntax 1.1.0 compiles
# 39 grammars at import, 2.3 s of CPU in every process that reads or writes a notebook
# (python-jsonschema/jsonschema#1392, #1521). It serves only the optional "iri" format check,
# which nbformat's validation does not make, so reportlib's processes go without it: jsonschema
# then skips that one check, as when the package is not installed.
_sys.modules.setdefault("rfc3987_syntax", None)
