"""Pure builders that return bytes or str: Word documents, feeds, calendars, charts."""
