"""Secure computation over 2-out-of-3 replicated secret shares (rss3) on Z_2^64.

Nothing here knows about SQL or tables: only rings, shares and protocols.
"""
