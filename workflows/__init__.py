"""Domain operations of kiemtra: one named function per state change; callers commit."""

__kiemtra__ = True  # this is kiemtra's package (app.check_own_packages)
