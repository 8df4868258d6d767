"""What a person reads when background work stopped on an error nobody foresaw."""


def unexpected(error: Exception) -> str:
    """What a person reads when background work stopped on an error nobody foresaw: in French,
    never a raw Python message (the traceback goes to the server's log)."""
    if isinstance(error, MemoryError):
        return "mémoire insuffisante sur le serveur"
    if isinstance(error, OSError):
        return "erreur de lecture ou d'écriture sur le disque du serveur (détail dans son journal)"
    return f"erreur inattendue ({type(error).__name__}) ; le détail est dans le journal du serveur"
