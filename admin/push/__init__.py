"""The push fan-out: after every committed change, screens get a versioned ``state`` or ``patch``.

``hub.py`` runs rounds (what changed, for whom) and emits; ``content.py`` builds what a screen
shows; ``playlists.py`` decides which playlist is in force.
"""

from .hub import PushHub, hub_for

__all__ = ["PushHub", "hub_for"]
