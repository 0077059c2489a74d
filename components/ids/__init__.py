"""Every component id in the app: one module per page (``components.ids.explorer``, …) and
``shared`` for the frame and what several pages use. Kebab-case ``page-thing-kind`` strings as
class attributes; pattern-matching ids through small helper functions. Import from the page's
module (``from components.ids.explorer import Explorer``); this package re-exports nothing."""
