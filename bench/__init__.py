"""The harness: experiments per claim, runners, statistics, report and CLI."""
