"""Write samples/tickets.csv and samples/tickets_labeled.csv: a support-ticket export of the demo shop.

    python3 samples/make_tickets.py

The export imitates Zendesk's CSV export (UTF-8 with BOM, "Id", "Subject",
"Description", "Tags", "Created at", custom fields "Product" and "SKU"). The
tickets are made from templates × products × variations (greetings, order
numbers, typos, short and long messages) with a fixed random seed, so the
files are the same on every run. Most topics are answered by an article of the
demo help center; a few are not (the gaps `kbgen gaps` should find):

- Espresso One leaking water from the bottom
- Roomie V3 lost its map after a firmware update
- Pour Kettle lid won't close
- a student discount
- gift wrapping and gift messages

`tickets_labeled.csv` repeats a subset of the tickets (every topic, both
languages) with the article that answers each one (`expected_article`), or
`none` when the help center has no answer. Where two articles answer equally
well (the returns FAQ and the return tutorial) both are given, as `1040|1041`.
The labels come from the topic a ticket was written from, and the subset was
read through by hand.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 9
FIELDS = ["Id", "Subject", "Description", "Status", "Priority", "Requester", "Created at", "Tags", "Product", "SKU"]

PRODUCTS = {
    "espresso-one": ("Espresso One", ["ES1-BLK", "ES1-WHT"], ["espresso machine", "machine", "Espresso One"]),
    "grind-pro": ("Grind Pro", ["GP-BLK", "GP-STL"], ["grinder", "Grind Pro", "coffee grinder"]),
    "pour-kettle": ("Pour Kettle", ["PK-BLK", "PK-CPR"], ["kettle", "Pour Kettle", "gooseneck kettle"]),
    "froth-mini": ("Froth Mini", ["FM-WHT"], ["frother", "Froth Mini", "milk frother"]),
    "roomie-v3": ("Roomie V3", ["RV3-GRY", "RV3-WHT"], ["robot", "Roomie", "Roomie V3", "vacuum"]),
}
FR_THING = {
    "espresso-one": ["machine", "Espresso One", "machine à espresso"],
    "grind-pro": ["moulin", "Grind Pro", "moulin à café"],
    "pour-kettle": ["bouilloire", "Pour Kettle"],
    "froth-mini": ["mousseur", "Froth Mini"],
    "roomie-v3": ["robot", "Roomie", "aspirateur robot"],
}


@dataclass
class Topic:
    answer: str  # article id(s) that answer it, "a|b" when two do; "none" for a gap
    products: tuple[str, ...]  # products the tickets are about; () for any product (or none)
    count: int
    en: list[str]  # subjects
    en_body: list[str]
    fr: list[str] = field(default_factory=list)
    fr_body: list[str] = field(default_factory=list)
    fr_share: float = 0.0
    tag: str = ""

    @property
    def about_orders(self) -> bool:
        return self.tag in ("shipping", "order_change", "billing", "damaged", "returns", "account", "discount", "gift")


ALL = tuple(PRODUCTS)
EO, GP, PK, FM, RV = ALL

TOPICS = [
    # -- orders and shipping -----------------------------------------------------------------------
    Topic("1035", ALL, 16, [
        "Where is my order?", "Order {order} not arrived yet", "tracking number doesn't work",
        "No tracking update for {days} days", "Where is my {thing}?", "Order status still says processing",
        "Cant find my tracking link",
    ], [
        "I ordered a {name} on {weekday} and still have no idea where it is. Can you tell me where my parcel is?",
        "The tracking number in my shipping email says 'label created' for {days} days now. Is my order lost?",
        "How do I track my order {order}? I can't find the tracking link anywhere.",
        "my order {order} still shows processing, when will it ship and how can i follow the parcel",
    ], tag="shipping"),
    Topic("1034", ALL, 16, [
        "How long does delivery take?", "Do you ship to Canada?", "Shipping cost", "Can I ship to a PO box?",
        "Will everything arrive in one box?", "I won't be home for the delivery", "International shipping to the UK?",
    ], [
        "How long does shipping usually take to {city}? I need the {name} before the {weekday} after next.",
        "Do you deliver to Canada, and how much is shipping?",
        "I'm travelling next week and won't be home when the parcel arrives. What happens then?",
        "Only part of my order came today. Will the rest arrive in a second box?",
        "Can you ship to my PO box instead of my home address?",
    ], [
        "Délai de livraison ?", "Livrez-vous au Canada ?", "Frais de livraison", "Absent à la livraison",
    ], [
        "Bonjour, quels sont les délais de livraison pour la France ? Merci",
        "Je serai absent la semaine prochaine, que se passe-t-il si je suis absent à la livraison du colis ?",
        "Combien coûte la livraison pour une {thing} ?",
    ], 0.22, "shipping"),
    Topic("1036", ALL, 14, [
        "Cancel my order", "Please cancel order {order}", "Change delivery address", "Wrong address on my order",
        "Can I add an item to my order?", "Change the colour of my order",
    ], [
        "I placed order {order} an hour ago by mistake, please cancel it.",
        "I typed the wrong delivery address on my order {order}. Can I still change the address?",
        "Can I add a {name} to the order I placed this morning? It hasn't shipped yet.",
        "I would like to cancel my order, I found it cheaper elsewhere.",
    ], [
        "Annuler ma commande", "Modifier l'adresse de livraison",
    ], [
        "Bonjour, je souhaite annuler ma commande {order} passée ce matin.",
        "Je me suis trompé d'adresse de livraison, puis-je modifier l'adresse de ma commande {order} ?",
    ], 0.22, "order_change"),
    Topic("1037", (), 14, [
        "Promo code not working", "Discount code invalid at checkout", "Payment declined", "Can I pay in installments?",
        "Price dropped after I ordered", "Which payment methods do you accept?",
    ], [
        "The promo code from your newsletter says invalid at checkout. Why doesn't my promo code work?",
        "My card was declined three times but my bank says everything is fine. Why was my payment declined?",
        "Is it possible to pay in monthly installments? The {name} is a bit expensive for me right now.",
        "I bought the {name} last week and now the price dropped by 30 dollars. Can I get the difference back?",
        "Do you accept PayPal or Apple Pay?",
    ], [
        "Code promo refusé", "Paiement refusé", "Payer en plusieurs fois ?",
    ], [
        "Mon code promo ne fonctionne pas, il est indiqué comme invalide.",
        "Mon paiement a été refusé alors que ma carte fonctionne. Pourquoi ?",
        "Est-il possible de payer en plusieurs fois ?",
    ], 0.2, "billing"),
    Topic("1038", ALL, 14, [
        "Arrived damaged", "{thing} arrived broken", "Box was crushed and the {thing} is dented",
        "Part missing from my package", "Missing item in my order", "Damaged in shipping!!",
    ], [
        "My {name} arrived today and the box was crushed. The {thing} is dented on the side. What do I do?",
        "The parcel came but the {missing} is missing from the box. I checked everywhere, including the foam.",
        "Received order {order}, the glass is cracked. I took photos. Can you send a replacement?",
        "one of the items in my order is missing, the packing slip lists it but it's not in the box",
    ], tag="damaged"),
    # -- returns and warranty -----------------------------------------------------------------------
    Topic("1040|1041", ALL, 18, [
        "How do I return my {thing}?", "Return request", "Refund not received", "Where is my refund?",
        "Exchange for another colour", "Return a gift", "Can I return a used {thing}?",
    ], [
        "I'd like to return the {name}, it's too big for my kitchen. How do I send it back?",
        "I returned my {name} two weeks ago and I still haven't got my refund. When will I get my refund?",
        "Can I exchange my {name} for the other colour instead of returning it?",
        "I got this {name} as a gift, can I return it without the receipt?",
        "I used the {thing} a few times but I don't like it. Can I still return it? Is return shipping free?",
    ], [
        "Retourner un article", "Remboursement pas reçu", "Échanger ma {thing}",
    ], [
        "Bonjour, je voudrais retourner ma {thing}, comment faire ? Le retour est-il gratuit ?",
        "J'ai renvoyé le colis il y a deux semaines et je n'ai toujours pas reçu mon remboursement.",
        "Puis-je échanger mon {thing} contre une autre couleur ?",
    ], 0.2, "returns"),
    Topic("1042|1043", ALL, 14, [
        "Warranty claim", "Is this covered by warranty?", "How long is the warranty?",
        "{thing} broke after {months} months - warranty?", "Repair after warranty ends",
    ], [
        "My {name} stopped working after {months} months. How do I make a warranty claim?",
        "How long is the warranty on the {name} and what does it cover?",
        "Is the battery of the Roomie V3 covered by the warranty?",
        "My {thing} is 3 years old and broken. Can I get it repaired even though the warranty has ended?",
    ], [
        "Garantie", "Durée de la garantie ?", "Ma {thing} est en panne, garantie ?",
    ], [
        "Quelle est la durée de la garantie de la {thing} et que couvre la garantie ?",
        "Mon {thing} ne marche plus après {months} mois, est-ce couvert par la garantie ?",
    ], 0.2, "warranty"),
    # -- account ------------------------------------------------------------------------------------
    Topic("1045|1046", (), 14, [
        "Forgot my password", "Password reset email never arrives", "Cant log in", "Delete my account",
        "Stop sending me marketing emails", "Change my email address", "Unsubscribe",
    ], [
        "I forgot my password and the reset email never arrives. I checked spam.",
        "Please delete my account and all my data.",
        "How do I stop the marketing emails? I get three a week.",
        "I changed jobs and want to change the email address on my account.",
        "I can't sign in, it says my password is wrong but I'm sure it's right.",
    ], [
        "Mot de passe oublié", "Supprimer mon compte",
    ], [
        "J'ai oublié mon mot de passe et je ne peux plus me connecter.",
        "Merci de supprimer mon compte.",
    ], 0.2, "account"),
    Topic("1047", ALL, 8, [
        "How do I register my {thing}?", "Product registration", "Where is the serial number?",
    ], [
        "Where do I find the serial number to register my {name}?",
        "I want to register my product for the warranty and descaling reminders. How?",
    ], tag="registration"),
    # -- Espresso One -------------------------------------------------------------------------------
    Topic("1011", (EO,), 12, [
        "How do I descale?", "Descale light is on", "Descaling the Espresso One", "Which descaler to use?",
    ], [
        "The descale light on my Espresso One is on. How do I run the descaling program?",
        "How often should I descale the machine and can I use vinegar?",
        "the descaling light came on after 2 months, what do i do",
    ], [
        "Détartrage", "Comment détartrer ma machine ?", "Voyant détartrage allumé",
    ], [
        "Le voyant de détartrage est allumé sur mon Espresso One. Comment lancer le programme de détartrage ?",
        "Comment détartrer l'Espresso One ? Quelle solution détartrante utiliser ?",
    ], 0.22, "descaling"),
    Topic("1020", (EO,), 10, [
        "Espresso tastes sour", "Shot runs too fast", "Coffee is watery", "Espresso drips very slowly",
        "Pressure gauge stays low",
    ], [
        "My shots run through in 10 seconds and taste sour and watery. What am I doing wrong?",
        "The espresso only drips out, it takes more than 45 seconds for a double shot.",
        "The pressure gauge stays low even with a fine grind.",
    ], [
        "Espresso trop acide", "Le café coule trop vite",
    ], [
        "Mon espresso coule en 10 secondes et il est acide. Que faire ?",
    ], 0.22, "espresso"),
    Topic("1021", (EO,), 9, [
        "Pump noise but no water", "No water coming out", "Machine hums but nothing comes out",
    ], [
        "The pump makes noise but no water comes out of the group head. The tank is full.",
        "After the tank ran empty the machine only hums and no water comes out anymore.",
        "Pump is working, I can hear it, but there's no water flow at all",
    ], tag="no_water"),
    Topic("1023", (EO,), 7, [
        "Steam wand weak", "Milk won't foam with steam wand", "Steam is wet and spits water",
    ], [
        "The steam wand is very weak and the milk gets hot but doesn't foam.",
        "Steam comes out in bursts and spits water. It used to be much stronger.",
    ], tag="steam"),
    Topic("1022", (EO,), 6, [
        "Lights blinking", "What do the flashing lights mean?", "All lights blinking on Espresso One",
    ], [
        "All three lights on the Espresso One are blinking at the same time. What does it mean?",
        "The orange light is flashing and the machine won't brew. What does this indicator light mean?",
    ], tag="lights"),
    Topic("1001", (EO,), 6, [
        "First use of the Espresso One", "How to set up the machine", "How do I prime the machine?",
    ], [
        "Just unpacked the Espresso One. How do I set it up and prime it before the first use?",
        "What do I need to do before using the machine for the first time? Do I fit the water filter?",
    ], tag="setup"),
    Topic("1003", (EO,), 5, [
        "How to steam milk for a latte", "Milk steaming tips",
    ], [
        "How do I steam milk for a cappuccino with the Espresso One? Mine is always too bubbly.",
        "What is the right way to stretch and texture milk with the steam wand?",
    ], tag="milk"),
    Topic("1013", (EO,), 5, [
        "Replace water filter", "Where to buy the water filter cartridge?",
    ], [
        "How do I replace the water filter cartridge in the tank? How often?",
        "The filter date dial shows it's time. How do I fit the new cartridge?",
    ], tag="filter"),
    Topic("1012", (EO,), 5, [
        "How to clean the machine", "Cleaning the shower screen",
    ], [
        "How should I clean the Espresso One every day and every week? The shower screen looks dirty.",
        "What's the daily cleaning routine for the portafilter and drip tray?",
    ], [
        "Nettoyage de la machine",
    ], [
        "Comment nettoyer mon Espresso One chaque semaine ? La douchette est sale.",
    ], 0.22, "cleaning"),
    # -- Grind Pro -----------------------------------------------------------------------------------
    Topic("1025", (GP,), 12, [
        "Grounds clumping", "Static mess everywhere", "Coffee grounds stick to the bin", "Clumps in my grinds",
    ], [
        "The grounds cling to the bin and spray out of the chute, it's a mess every morning. Static?",
        "My Grind Pro makes clumps in the grounds. Is that normal?",
        "grinds stick everywhere because of static, the counter is covered in coffee",
    ], [
        "Mouture en amas", "Électricité statique",
    ], [
        "La mouture colle au bac à cause de l'électricité statique et il y en a partout.",
        "Mon Grind Pro fait des amas de mouture, est-ce normal ?",
    ], 0.22, "grinder"),
    Topic("1024", (GP,), 9, [
        "Grinder won't start", "Grind Pro stops mid-grind", "Motor hums but doesn't grind",
    ], [
        "I press the dial and nothing happens. The grinder won't start.",
        "The Grind Pro stops after a minute of grinding and won't start again.",
        "The motor hums but doesn't grind anything. I think a bean is stuck.",
    ], tag="grinder"),
    Topic("1005", (GP,), 8, [
        "Which grind setting for French press?", "Best grind size for espresso", "Grind settings",
    ], [
        "Which grind setting should I use for French press and for pour-over?",
        "What grind size do you recommend for espresso on the Grind Pro?",
    ], [
        "Quel réglage de mouture ?",
    ], [
        "Quel réglage de mouture pour une cafetière à piston ?",
    ], 0.22, "grind_size"),
    Topic("1014", (GP,), 5, [
        "How to clean the burrs", "Cleaning the grinder",
    ], [
        "How do I remove the upper burr and clean the burrs of the Grind Pro?",
        "Old coffee oils in my grinder. How to clean it properly?",
    ], tag="cleaning"),
    # -- Pour Kettle ---------------------------------------------------------------------------------
    Topic("1026", (PK,), 9, [
        "Kettle shows E1", "Kettle won't heat", "Error E2 on the display", "Display is dark",
    ], [
        "The display of my Pour Kettle shows E1 and it won't heat.",
        "The kettle switches off before the water boils.",
        "The display is completely dark even though it's plugged in.",
    ], [
        "La bouilloire ne chauffe pas", "Erreur E1",
    ], [
        "L'écran de la bouilloire affiche E1 et l'eau ne chauffe pas.",
    ], 0.22, "kettle"),
    Topic("1027", (PK,), 7, [
        "Water tastes like plastic", "White flakes in the kettle", "Temperature seems wrong",
    ], [
        "The water from my new Pour Kettle tastes like plastic.",
        "The temperature on the display doesn't match my thermometer, it's 4 degrees off.",
        "There are white flakes floating in the water.",
    ], tag="kettle"),
    Topic("1015", (PK,), 5, [
        "How to descale the kettle", "Limescale in the kettle",
    ], [
        "How do I descale the Pour Kettle? There's limescale on the bottom.",
    ], [
        "Détartrer la bouilloire",
    ], [
        "Comment détartrer ma Pour Kettle ? Il y a du calcaire au fond.",
    ], 0.22, "descaling"),
    Topic("1006|1007", (PK,), 5, [
        "How to set the temperature", "Hold mode", "Pour over recipe with the kettle",
    ], [
        "How do I set the temperature and use the hold function on the Pour Kettle?",
        "What temperature should I use for pour-over coffee and how do I pour?",
    ], tag="kettle"),
    # -- Froth Mini ----------------------------------------------------------------------------------
    Topic("1028", (FM,), 10, [
        "Milk won't foam", "No foam with oat milk", "Froth Mini not frothing",
    ], [
        "The Froth Mini heats the milk but there's no foam at all. I use oat milk.",
        "My milk won't foam anymore, the whisk seems to spin.",
        "No froth, just hot milk. Am I using the wrong whisk?",
    ], [
        "Le lait ne mousse pas", "Pas de mousse avec le Froth Mini",
    ], [
        "Le lait ne mousse pas avec mon Froth Mini, il chauffe seulement.",
        "Pas de mousse avec le lait d'avoine, que faire ?",
    ], 0.22, "frother"),
    Topic("1029", (FM,), 8, [
        "Froth Mini won't start", "Frother stops after a few seconds", "Light blinking on the frother",
    ], [
        "The light blinks quickly and the cycle stops after a few seconds.",
        "I press the button and the light doesn't come on. The Froth Mini won't start.",
    ], [
        "Le Froth Mini ne démarre pas",
    ], [
        "Le voyant clignote et le Froth Mini s'arrête au bout de quelques secondes.",
    ], 0.22, "frother"),
    Topic("1016|1008", (FM,), 5, [
        "How to clean the Froth Mini", "Milk film in the jug",
    ], [
        "How do I clean the jug of the Froth Mini? Can it go in the dishwasher?",
        "There's a burnt milk film at the bottom of the jug.",
    ], tag="cleaning"),
    # -- Roomie V3 -----------------------------------------------------------------------------------
    Topic("1030", (RV,), 10, [
        "Error E05", "Roomie shows error {code}", "Error code on the robot", "Robot says error {code}",
    ], [
        "My Roomie V3 stopped with error {code} in the app. What does this error code mean?",
        "The robot beeps and the app shows error {code}. I cleaned the sensors already.",
    ], [
        "Erreur {code}", "Code d'erreur sur le Roomie",
    ], [
        "Mon Roomie V3 affiche le code d'erreur {code}, que faire ?",
    ], 0.22, "robot"),
    Topic("1031", (RV,), 9, [
        "Roomie won't charge", "Robot can't find the dock", "Battery drains fast",
    ], [
        "The robot sits on the dock but doesn't charge.",
        "The Roomie can't find its dock and stops in the hallway with a low battery.",
        "The battery runs down much faster than when it was new.",
    ], tag="robot"),
    Topic("1032", (RV,), 9, [
        "Robot gets stuck", "Roomie misses rooms", "Stuck under the sofa every time",
    ], [
        "The Roomie V3 gets stuck under the sofa every single time.",
        "It skips the bedroom and misses spots along the walls.",
        "It gets tangled in cables and rug fringes.",
    ], [
        "Le robot reste coincé", "Le Roomie oublie des pièces",
    ], [
        "Mon Roomie V3 reste coincé sous le canapé à chaque nettoyage.",
        "Le robot ignore une pièce et oublie des zones.",
    ], 0.22, "robot"),
    Topic("1048|1050", (RV,), 10, [
        "Can't connect to Wi-Fi", "Pairing fails", "App can't find the robot", "Robot shows offline",
    ], [
        "Pairing fails at 'Connecting to Wi-Fi' every time. My router is 5 GHz.",
        "The app can't find the robot and it shows as offline.",
        "The robot keeps dropping the Wi-Fi connection while cleaning.",
    ], [
        "Connexion Wi-Fi impossible", "Le robot ne se connecte pas au Wi-Fi",
    ], [
        "Je n'arrive pas à connecter le Roomie V3 au Wi-Fi avec l'application.",
    ], 0.22, "wifi"),
    Topic("1049", (RV,), 7, [
        "How to set up no-go zones", "Schedule a cleaning", "Virtual walls",
    ], [
        "How do I draw no-go zones in the app so the robot stays out of the kids' room?",
        "How can I create a cleaning schedule for weekdays?",
    ], [
        "Zones interdites",
    ], [
        "Comment tracer des zones interdites dans l'application ?",
    ], 0.22, "app"),
    Topic("1033", (RV,), 6, [
        "Robot is very loud", "Weak suction", "Grinding noise from the robot",
    ], [
        "The suction is weaker than it used to be and it leaves debris behind.",
        "There's a loud clicking and grinding noise when it cleans.",
    ], tag="robot"),
    Topic("1017", (RV,), 5, [
        "Replace the brushes", "How often to change the HEPA filter?",
    ], [
        "How do I replace the main roller brush and the side brush?",
        "When should I replace the HEPA filter on the Roomie V3?",
    ], tag="parts"),
    Topic("1051", (RV,), 5, [
        "Does it work with Alexa?", "Share the robot with my family",
    ], [
        "Does the Roomie V3 work with Alexa or Google Assistant?",
        "Can my wife control the robot from her phone too?",
    ], tag="app"),
    # -- gaps: nothing in the help center answers these --------------------------------------------
    Topic("none", (EO,), 16, [
        "Espresso machine leaking from the bottom", "Water under the machine", "Puddle under my Espresso One",
        "Leaking water", "machine leaks!!", "Water leaking underneath after brewing",
    ], [
        "Every time I make a coffee there is a puddle of water under the machine. It seems to leak from the bottom.",
        "My Espresso One is leaking water from underneath. The tank is seated properly.",
        "water is pooling on the counter under the espresso machine, not from the drip tray",
        "After a few shots there is water leaking from the bottom of the machine. Is it safe to keep using it?",
    ], [
        "Fuite d'eau sous la machine", "La machine fuit par le dessous",
    ], [
        "Il y a une flaque d'eau sous la machine après chaque café. Elle fuit par le dessous.",
        "Ma machine Espresso One fuit, de l'eau coule sous la machine.",
    ], 0.2, "leak"),
    Topic("none", (RV,), 13, [
        "Map lost after firmware update", "Roomie forgot the map after update", "Map gone after the update",
        "Rooms and no-go zones disappeared after firmware update", "Has to remap after update",
    ], [
        "After last night's firmware update my Roomie V3 lost its map. All my rooms and zones are gone.",
        "The robot updated itself and now the saved map has disappeared. It starts mapping from scratch.",
        "Since the update the map is gone and it cleans the whole house again. Do I have to redraw everything?",
    ], [
        "Carte perdue après la mise à jour",
    ], [
        "Depuis la mise à jour, mon Roomie a perdu sa carte et toutes les pièces ont disparu.",
    ], 0.2, "map"),
    Topic("none", (PK,), 10, [
        "Kettle lid won't close", "Lid doesn't shut", "Lid keeps popping open", "Pour Kettle lid broken?",
    ], [
        "The lid of my Pour Kettle won't close properly, it pops open when I pour.",
        "The lid doesn't shut anymore, the hinge feels loose.",
        "lid does not close and steam escapes around it",
    ], tag="lid"),
    Topic("none", (), 9, [
        "Student discount?", "Do you have a student discount", "Discount for students",
    ], [
        "Hi, I'm a student. Do you offer a student discount on the {name}?",
        "Is there any discount for students or teachers?",
    ], [
        "Réduction étudiant ?",
    ], [
        "Bonjour, proposez-vous une réduction pour les étudiants ?",
    ], 0.2, "discount"),
    Topic("none", (), 9, [
        "Gift wrapping", "Can you gift wrap my order?", "Add a gift message", "Gift wrap option",
    ], [
        "It's a birthday present. Can you gift wrap the {name} and add a gift message?",
        "Do you offer gift wrapping? I want it sent directly to my sister.",
        "Is it possible to include a gift message and remove the price from the package?",
    ], tag="gift"),
]

GREETINGS = ["", "", "Hi,", "Hello,", "Hi there,", "Good morning,", "Hey,", "Dear Brightbrew team,"]
CLOSINGS = ["", "", "Thanks", "Thank you!", "Thanks in advance,", "Regards,", "Kind regards,", "Cheers"]
CONTEXT = [  # what customers add about a product…
    "", "", "", "I bought it {months} months ago.", "I've tried restarting it already.",
    "This is really frustrating, I use it every day.", "Please help asap.",
    "I've had it for {months} months and it worked fine until now.",
]
ORDER_CONTEXT = ["", "", "", "Order number {order}.", "Please help asap.", "My order number is {order}."]  # …or an order
FR_GREETINGS = ["", "Bonjour,", "Bonjour,", "Bonsoir,"]
FR_CLOSINGS = ["", "Merci", "Merci d'avance", "Cordialement"]
MISSING = ["tamper", "milk jug", "side brush", "cleaning brush", "power cable", "descaler bottle"]
CODES = ["E01", "E05", "E7", "E10", "E12"]
CITIES = ["Austin", "Denver", "Chicago", "Toronto", "Portland", "Boston"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
STATUSES = ["solved", "solved", "solved", "closed", "open", "pending"]
PRIORITIES = ["normal", "normal", "normal", "low", "high"]
CHANNELS = ["web", "email", "email", "chat"]


def typo(rng: random.Random, text: str) -> str:
    """A customer in a hurry: swap two letters of one word, or drop one."""
    words = text.split(" ")
    long = [i for i, w in enumerate(words) if len(w) > 5 and w.isalpha()]
    if not long:
        return text
    i = rng.choice(long)
    w = words[i]
    j = rng.randrange(1, len(w) - 2)
    words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :] if rng.random() < 0.5 else w[:j] + w[j + 1 :]
    return " ".join(words)


def fill(rng: random.Random, text: str, product: str | None, lang: str) -> str:
    if product:
        name = PRODUCTS[product][0]
        thing = rng.choice(FR_THING[product] if lang == "fr" else PRODUCTS[product][2])
    else:
        name, thing = "order", "order" if lang == "en" else "commande"
    values = {
        "name": name, "thing": thing, "order": f"#{rng.randrange(100200, 109999)}", "days": rng.randrange(3, 12),
        "months": rng.randrange(2, 20), "weekday": rng.choice(WEEKDAYS), "city": rng.choice(CITIES),
        "missing": rng.choice(MISSING), "code": rng.choice(CODES),
    }  # fmt: skip
    return text.format(**values)


def ticket(rng: random.Random, topic: Topic, lang: str) -> dict[str, str]:
    product = rng.choice(topic.products) if topic.products else (rng.choice(ALL) if rng.random() < 0.5 else None)
    subjects, bodies = (topic.fr, topic.fr_body) if lang == "fr" else (topic.en, topic.en_body)
    subject = fill(rng, rng.choice(subjects), product, lang)
    shape = rng.random()
    if shape < 0.1:
        body = ""  # subject only
    else:
        core = fill(rng, rng.choice(bodies), product, lang)
        if lang == "fr":
            parts = [rng.choice(FR_GREETINGS), core, rng.choice(FR_CLOSINGS)]
        else:
            context = ORDER_CONTEXT if topic.about_orders else CONTEXT
            parts = [rng.choice(GREETINGS), core, fill(rng, rng.choice(context), product, lang)]
            if shape > 0.8:  # a long one: the customer explains twice
                parts.append(fill(rng, rng.choice(bodies), product, lang))
            parts.append(rng.choice(CLOSINGS))
        body = "\n\n".join(p for p in parts if p)
    if rng.random() < 0.15:
        subject = typo(rng, subject)
    if body and rng.random() < 0.25:
        body = typo(rng, body)
    if rng.random() < 0.2:
        subject = subject.lower()
    show = rng.random()
    product_field = sku_field = ""
    if product and show < 0.55:
        product_field = PRODUCTS[product][0]
    elif product and show < 0.8:
        sku_field = rng.choice(PRODUCTS[product][1])
    tags = sorted({rng.choice(CHANNELS), *([topic.tag] if topic.tag and rng.random() < 0.6 else []),
                   *([product.replace("-", "_")] if product and rng.random() < 0.5 else []),
                   *(["french"] if lang == "fr" else [])})  # fmt: skip
    return {
        "Subject": subject, "Description": body, "Status": rng.choice(STATUSES), "Priority": rng.choice(PRIORITIES),
        "Tags": " ".join(tags), "Product": product_field, "SKU": sku_field,
    }  # fmt: skip


def make() -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    rng = random.Random(SEED)
    made: list[tuple[dict[str, str], str, str, int]] = []
    for number, topic in enumerate(TOPICS):
        for _ in range(topic.count):
            lang = "fr" if topic.fr and rng.random() < topic.fr_share else "en"
            made.append((ticket(rng, topic, lang), topic.answer, lang, number))
    rng.shuffle(made)
    rows, labeled = [], []
    seen: dict[str, int] = {}
    for n, (row, answer, lang, number) in enumerate(made):
        day = 1 + n * 91 // len(made)  # spread over September–November 2026, in ticket order
        month, mday = (9, day) if day <= 30 else (10, day - 30) if day <= 61 else (11, day - 61)
        row = {
            "Id": str(48210 + n * 3 + rng.randrange(3)),
            **row,
            "Requester": f"customer{1000 + rng.randrange(9000)}@example.com",
            "Created at": f"2026-{month:02d}-{mday:02d} {rng.randrange(7, 22):02d}:{rng.randrange(60):02d}",
        }
        rows.append({k: row[k] for k in FIELDS})
        key = f"{number}/{lang}"
        seen[key] = seen.get(key, 0) + 1
        if seen[key] <= 2 or n % 8 == 0:  # every topic in each of its languages, and an eighth of the rest
            labeled.append({"Id": row["Id"], "Subject": row["Subject"], "Description": row["Description"],
                            "Product": row["Product"], "SKU": row["SKU"], "lang": lang,
                            "expected_article": answer})  # fmt: skip
    return rows, labeled


def write(path: Path, rows: list[dict[str, str]], fields: list[str]) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.DictWriter(out, fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main() -> None:
    rows, labeled = make()
    write(HERE / "tickets.csv", rows, FIELDS)
    write(HERE / "tickets_labeled.csv", labeled, list(labeled[0]))
    print(f"{len(rows)} tickets, {len(labeled)} labeled")


if __name__ == "__main__":
    main()
