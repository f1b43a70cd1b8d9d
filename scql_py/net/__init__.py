"""Party-to-party channels: in-process and networked, both counting bytes and rounds."""

from scql_py.net.channel import ChannelStats, Communicator
from scql_py.net.inprocess import InProcessNetwork

__all__ = ["ChannelStats", "Communicator", "InProcessNetwork"]
