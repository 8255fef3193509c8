def demo_history(out, *, today, recent_years=None):  # noqa
    return None
