"""`kbgen gaps`: what customers ask that the help center does not answer yet.

A support-ticket export (CSV) is matched, ticket by ticket, against the help
center with the same ranking as the site search and `kbgen link` (`search.query.rank`
on the ticket's subject and body, in the ticket's language: by meaning and words
where a model knows the language, else by words). Greetings, thanks and order numbers are left out of the
query first: they are in every ticket and say nothing about the question.

**Answered** means: the best article's *confidence* is at least `THRESHOLD`.
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
close to every article, but the right one stands out). `THRESHOLD` was
calibrated on `samples/tickets_labeled.csv`
(156 hand-checked tickets of the demo shop, 19 of them questions the help
center does not answer): at 0.25, 91 % of the tickets called answered are
matched to the right article (precision) and 83 % of the answerable tickets are
found (recall) by words; 90 % and 89 % by meaning and words (see
benchmarks/gaps_quality.py, also for tickets nobody wrote beside the articles). A word-based match cannot tell every
near miss: "leaking from the bottom" still finds the section on coffee leaking
around the portafilter, so such a gap shows smaller than it is.

The report then gives:

- **gaps**: the unanswered tickets grouped by topic (TF-IDF cosine of stemmed
  content words, greedy clustering against the groups' centroids, two passes),
  biggest first, with keywords, example subjects and the closest article;
- **bundle suggestions**: articles that answer at least `min_tickets` tickets
  of a product but are in none of that product's post-purchase bundles, with
  the stage to add them to (the stage that already holds that product's
  articles of the same category, else any product's, else the last stage);
- **coverage**: the share of tickets an existing article answers, overall and
  per product (the product comes from the ticket's product or SKU column, else
  from a product named in the ticket, else from the matched article when it is
  about one product).
"""
