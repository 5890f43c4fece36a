"""Admin for shared measurement (superusers only).

Writes that have rules go through ``indicators.services`` here as everywhere:
geographies get their ``path`` from ``geography_create``/``geography_move``, and
data points are created, edited, moved through the workflow and deleted by the
data point services, so every admin change lands in the history. The history
(``DataPointChange``) and the computed trends are read-only.

Forms check what the services would refuse (with the services' own validators
where they exist), so that a mistake comes back as a form error; what only the
service can see (someone else saved in between) comes back as an error message.

- ``catalogue``: periods, geographies, dimensions and categories, indicators;
- ``datapoints``: data points, their form and workflow actions;
- ``history``: the audit trail and the trend engine's tables, read-only;
- ``locks``: locked periods, locked and unlocked through ``indicators.locks``,
  and their record, read-only;
- ``workflow``: the trend engine's queue, data requests and imports, read-only
  (open data requests can be cancelled);
- ``base``: what these share.

Importing the modules registers their admins.
"""

from . import catalogue, datapoints, history, locks, workflow

__all__ = ["catalogue", "datapoints", "history", "locks", "workflow"]
