"""The clearly fictional demo data: respondents and answers, recordings, engagement history."""
