"""One party's executor: runs its part of a physical plan with :mod:`scql_py.mpc`,
:mod:`scql_py.net` and :mod:`scql_py.storage`, in lockstep with the other parties.

It does not know how the parties are deployed (threads in one process or servers):
that is :mod:`scql_py.cluster`.
"""
