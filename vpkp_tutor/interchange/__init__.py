"""Question banks in and out of the app: GIFT, Aiken and Moodle XML.

Each reader turns a file into its format's own items (with file:line), `mapping` turns
those into the app's question records and says what it skipped or changed, and `writer`
writes the app's YAML. Nothing here is imported when the study app starts: the parser
libraries (lark, defusedxml) are imported inside the functions that use them.
"""
