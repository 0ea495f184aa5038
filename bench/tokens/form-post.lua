-- wrk script: every request POSTs the same form (BENCH_BODY) with the same Authorization header (BENCH_AUTHORIZATION).
wrk.method = "POST"
wrk.body = os.getenv("BENCH_BODY")
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = os.getenv("BENCH_AUTHORIZATION")
