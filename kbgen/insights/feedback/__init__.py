"""Feedback from the site's readers: the events it sends (`events`), where they are kept (`store`), the
service that receives them (`service`, `kbgen feedback serve`)."""
