-- Placeholder for migration 0019, a number another line of work holds (issue 14 is worked on in
-- parallel branches): only so that this branch applies 0022 on its own. Drop this file when
-- the branch that holds 0019 is merged.
SELECT 1;
