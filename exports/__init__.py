"""Pure builders that return bytes or str: Word documents, feeds, calendars, charts."""

__kiemtra__ = True  # this is kiemtra's package (app.check_own_packages)
