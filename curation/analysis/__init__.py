"""What the answers say: themes per question, near-duplicate (campaign) groups, tone, and a
quote plan that keeps the published voice representative.

The pure computations (`tokens`, `themes`, `campaigns`, `tone`) know nothing of the store;
`job` runs them over a consultation with progress, `service` reads and edits the results.
"""
