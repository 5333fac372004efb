from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "articles"
    verbose_name = "Newsroom"

    def ready(self):
        import newsroom.auth  # noqa: F401 - registers its deploy check

        from . import caching, plaintext, signals

        signals.connect()
        caching.connect()
        plaintext.connect()
