"""Messages and languages: what the bot says, rendered per reader's language, the translation
catalogs, and the vocabularies (countries, languages, sectors) they name.
"""
