"""`kbgen gaps`: what customers ask that the help center does not answer yet.

A support-ticket export (CSV) is matched, ticket by ticket, against the help
center with the same ranking as the site search and `kbgen link` (`search.query.rank`
on the ticket's subject and body, in the ticket's language: by meaning and words
where a model knows the language, else by words). Greetings, thanks and order numbers are left out of the
query first: they are in every ticket and say nothing about the question.

**Answered** means: the best article's *confidence* is at least the threshold of the ranking that matched
the ticket (`matching.THRESHOLDS`: 0.09 by words, 0.14 by meaning and words; `--threshold` sets one for both).
The ranking's raw score grows with the length of the ticket, so it is
normalised:

    confidence = score / ideal × (known / words)²

where `ideal` is the score a document would get that held every word of the
ticket at the highest weight any document of the help center gives it, and
`known / words` is the share of the ticket's words the help center uses at all
(a ticket about a "student discount" is mostly words no article uses). It is
between 0 and 1. Ranked by meaning and words, the confidence is that of the
words for the chosen document, or twice its lead over the next article in the
fused ranking, whichever is higher (a ticket is long: its meaning is about as
close to every article, but the right one stands out).

Each threshold is the one of highest F1 on a public set, `benchmarks/data/arduino_tickets.csv` (98 tickets
written for the Arduino Help Center before any tuning, 66 of them answerable; steps of 0.01, the highest of
equal F1): there, precision (the share of the tickets called answered that are matched to the right article)
is 0.63 and recall (the share of the answerable tickets found) 0.44 by words, 0.69 and 0.61 by meaning and
words. The demo's `samples/tickets_labeled.csv` (156 tickets written beside the demo's articles, 19 of them
questions it does not answer) is held out: 0.81 and 0.89 by words, 0.85 and 0.91 by meaning and words
(before, one threshold of 0.25 tuned on it gave 0.91 and 0.83, 0.90 and 0.89; and on the Arduino tickets
0.80 and 0.12, 0.74 and 0.49). See benchmarks/gaps_quality.py. A word-based match cannot tell every
near miss: "leaking from the bottom" still finds the section on coffee leaking
around the portafilter, so such a gap shows smaller than it is.

The report then gives:

- **gaps**: the unanswered tickets grouped by topic (TF-IDF cosine of stemmed
  content words, greedy clustering against the groups' centroids, two passes,
  groups of near-identical centroids merged), biggest first, with keywords (no
  word that frames a question, "any idea", "tell me", nor one of a large share
  of all tickets: see `topics`), example subjects and the closest article;
- **bundle suggestions**: articles that answer at least `min_tickets` tickets
  of a product but are in none of that product's post-purchase bundles, with
  the stage to add them to (the stage that already holds that product's
  articles of the same category, else any product's, else the last stage);
- **coverage**: the share of tickets an existing article answers, overall and
  per product (the product comes from the ticket's product or SKU column, else
  from a product named in the ticket, else from the matched article when it is
  about one product).
"""
