-- Placeholder for migration 0020, a number another line of work holds (issue 14 is worked on in
-- parallel branches): only so that this branch applies 0022 on its own. Drop this file when
-- the branch that holds 0020 is merged.
SELECT 1;
