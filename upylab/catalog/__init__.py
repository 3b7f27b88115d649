"""The frameworks catalog: the survey as written, our typed catalog, and the
corrections between them with their evidence.

The facts live in ``data/`` (three CSV tables and the Frictionless
``datapackage.json`` that describes them); this package only reads them
(``tables``), reads survey cells as catalog values (``readings``), checks
them (``checks``) and shows them (``render``, ``cli``).  Adding a framework
is a row in each table, never code here.
"""
