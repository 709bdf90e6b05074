-- wrk: POST one lead (five signals, three attributes) to leadcal serve's /score.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"lead_id":"L1","as_of":"2026-11-01T00:00:00Z",'
  .. '"attributes":{"industry":"software","employees":120,"job_level":"vp"},'
  .. '"signals":[{"signal":"pricing_visit","occurred_at":"2026-10-30T10:00:00Z","value":3},'
  .. '{"signal":"email_open","occurred_at":"2026-10-28T08:00:00Z"},'
  .. '{"signal":"meeting","occurred_at":"2026-09-15"},'
  .. '{"signal":"reply","occurred_at":"2026-09-10T12:00:00Z"},'
  .. '{"signal":"hiring_sales","occurred_at":"2026-08-01"}]}'
