"""The plumbing every domain uses: the runtime, roles, passwords, audit, cache, jobs, pools."""
