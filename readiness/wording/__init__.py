"""The engine's answer in words: the one renderer of the explanation contract.

The engine (readiness.engine) returns figures, codes and facts, never a sentence. This
package says them in the active language, English being gettext's message id:

- ``details.detail(stored)``: a trigger's or check's detail, a reason, a warning;
- ``verdict.verdict(explanation)``: the gauge's sentence, from the levels and routes;
- ``numbers``: figures and names as a duty officer says them ('6 days', '2,025 people');
- ``vocabulary``: the words of the engine's keys and of the shipped ladder.

The dashboards, the daily brief, the notifications, the command line and the replay all
say the engine's answer through it, so a sentence is written once.
"""
