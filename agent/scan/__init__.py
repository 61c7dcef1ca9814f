"""The book scan: refresh every account, report each new signal once, triage, alert.

scan (the run) · ledger (what every run saw and reported) · digest (what a run reports) ·
notify (alerts, sent at most once per signal). Import from the modules themselves: this
package re-exports nothing, so loading one part never loads the others.
"""
