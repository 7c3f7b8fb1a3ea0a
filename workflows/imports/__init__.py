"""Bulk data from spreadsheets: one reader (:mod:`workflows.imports.sheet`) and one module per kind
of record it feeds (organisations, people with their accounts).

Each kind declares a :class:`~workflows.imports.sheet.SheetSpec` (its columns) and a function that
turns the rows into changes through the ordinary workflows, all or nothing.
"""
