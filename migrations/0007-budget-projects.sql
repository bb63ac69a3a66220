-- Budgets and alert targets owned by a project (issue 21: "a project-bound admin key manages that
-- project's keys, budgets and alert targets, and nothing else"). NULL is the organization: budgets
-- and targets only keys of every project see and manage. A budget of project A counts A's events only
-- (its scope always holds `project: [A]`, which the code enforces when it reads the row), and its
-- alerts go to A's targets only, so a project's alert never reaches another team's receiver.
ALTER TABLE llm_ledger_budgets ADD COLUMN project TEXT REFERENCES llm_ledger_projects (slug);
-- Names are unique within their owner, so two teams may both call a budget "monthly" without one
-- learning from a conflict that the other's exists.
ALTER TABLE llm_ledger_budgets DROP CONSTRAINT llm_ledger_budgets_name_key;
ALTER TABLE llm_ledger_budgets
  ADD CONSTRAINT llm_ledger_budgets_project_name_key UNIQUE NULLS NOT DISTINCT (project, name);

-- A target belongs to one owner: the same URL added by two projects is two targets with two secrets,
-- so one project can never have alerts signed with another's secret.
ALTER TABLE llm_ledger_alert_targets ADD COLUMN project TEXT REFERENCES llm_ledger_projects (slug);
ALTER TABLE llm_ledger_alert_targets DROP CONSTRAINT llm_ledger_alert_targets_kind_url_key;
ALTER TABLE llm_ledger_alert_targets
  ADD CONSTRAINT llm_ledger_alert_targets_project_kind_url_key UNIQUE NULLS NOT DISTINCT (project, kind, url);
