"""Running a federation: the parties in one process, each party as its own server
(``scql serve``), the networked client, and changes of shared tables across parties.

Nothing here plans a query or runs a protocol: the planner is :mod:`scql_py.sql`, one
party's executor is :mod:`scql_py.engine`.
"""
