-- the weekly receivables digest must not e-mail management from a copy
UPDATE res_company
   SET dso_digest = false;
