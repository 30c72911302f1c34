"""The two demo surveys as Survey/Question rows: a customer satisfaction survey and a worker safety survey."""

from __future__ import annotations

from typing import Any

from models import Question, Survey

CUSTOMER_SLUG = "demo-customer"
SAFETY_SLUG = "demo-safety"

ORDER_CHANNELS = ("web", "app", "phone", "store")
USED_CHANNELS = ("website", "app", "live_chat", "phone_line", "store", "email")
CUSTOMER_STATEMENTS = ("easy_to_order", "on_time", "fair_price", "staff_helpful", "app_works")
REPORT_KINDS = ("hazard", "near_miss", "suggestion", "praise")
CLIMATE_STATEMENTS = ("no_blame", "supervisors_act", "trained", "ppe_available", "safe_pace")


def _texts(label: dict[str, str], **per_lang: dict[str, dict[str, str]]) -> dict[str, Any]:
    """{"en": {"label": .., "options": {..}}, ...} from a label per language plus option/statement maps."""
    out: dict[str, Any] = {lang: {"label": text} for lang, text in label.items()}
    for part, by_lang in per_lang.items():
        for lang, mapping in by_lang.items():
            out[lang][part] = mapping
    return out


def customer_survey() -> Survey:
    """The customer survey: NPS first, the reason, then detail on pages 2 and 3."""
    survey = Survey(
        slug=CUSTOMER_SLUG,
        title="How did we do?",
        audience="customer",
        retention_months=24,  # comments and contact data of the last two years; trends stay (docs/privacy.md)
        languages=["en", "de", "pl"],
        default_language="en",
        texts={
            "en": {"title": "How did we do?",
                   "intro": "Three short pages about your last order. Thank you for your time.",
                   "thanks": "Thank you! Your answers help us put things right."},
            "de": {"title": "Wie waren wir?",
                   "intro": "Drei kurze Seiten zu Ihrer letzten Bestellung. Vielen Dank für Ihre Zeit.",
                   "thanks": "Vielen Dank! Ihre Antworten helfen uns, besser zu werden."},
            "pl": {"title": "Jak nam poszło?",
                   "intro": "Trzy krótkie strony o Twoim ostatnim zamówieniu. Dziękujemy za poświęcony czas.",
                   "thanks": "Dziękujemy! Twoje odpowiedzi pomagają nam się poprawić."},
        },
    )
    specs: list[dict[str, Any]] = [
        dict(key="nps", type="nps", page=1, required=True, texts=_texts({
            "en": "How likely are you to recommend us to a friend or colleague?",
            "de": "Wie wahrscheinlich ist es, dass Sie uns einem Freund oder Kollegen empfehlen?",
            "pl": "Jak bardzo prawdopodobne jest, że polecisz nas znajomemu lub współpracownikowi?"})),
        dict(key="reason", type="long_text", page=1, settings={"max_length": 2000}, texts=_texts({
            "en": "What is the main reason for your score?",
            "de": "Was ist der wichtigste Grund für Ihre Bewertung?",
            "pl": "Jaki jest główny powód Twojej oceny?"})),
        dict(key="csat", type="csat", page=1, texts=_texts({
            "en": "Overall, how satisfied are you with your last order?",
            "de": "Wie zufrieden sind Sie insgesamt mit Ihrer letzten Bestellung?",
            "pl": "Jak ogólnie oceniasz swoje ostatnie zamówienie?"})),
        dict(key="ces", type="ces", page=1, texts=_texts({
            "en": "How easy was it to get what you needed?",
            "de": "Wie einfach war es, das zu bekommen, was Sie brauchten?",
            "pl": "Jak łatwo było załatwić to, czego potrzebowałeś?"})),
        dict(key="stars", type="rating", page=1, settings={"min": 1, "max": 5},
             texts=_texts({"en": "Rate the product you bought.",
                           "de": "Bewerten Sie das gekaufte Produkt.",
                           "pl": "Oceń kupiony produkt."})),
        dict(key="improve", type="short_text", page=2, settings={"max_length": 300},
             condition={"question": "nps", "in": list(range(0, 7))},
             texts=_texts({"en": "What is the one thing we should do better?",
                           "de": "Was sollten wir vor allem besser machen?",
                           "pl": "Co przede wszystkim powinniśmy poprawić?"})),
        dict(key="order_channel", type="single_choice", page=2, options=list(ORDER_CHANNELS),
             texts=_texts({"en": "How did you order?", "de": "Wie haben Sie bestellt?",
                           "pl": "Jak złożyłeś zamówienie?"}, options={
                 "en": {"web": "Website", "app": "Mobile app", "phone": "By phone", "store": "In a store"},
                 "de": {"web": "Website", "app": "App", "phone": "Telefonisch", "store": "Im Geschäft"},
                 "pl": {"web": "Strona internetowa", "app": "Aplikacja", "phone": "Telefonicznie",
                        "store": "W sklepie"}})),
        dict(key="used", type="multiple_choice", page=2, options=list(USED_CHANNELS),
             settings={"allow_other": True},
             texts=_texts({"en": "Which of these did you use? Tick all that apply.",
                           "de": "Was davon haben Sie genutzt? Mehrfachauswahl möglich.",
                           "pl": "Z czego korzystałeś? Zaznacz wszystkie pasujące."}, options={
                 "en": {"website": "Website", "app": "App", "live_chat": "Live chat", "phone_line": "Phone line",
                        "store": "Store", "email": "Email"},
                 "de": {"website": "Website", "app": "App", "live_chat": "Live-Chat", "phone_line": "Hotline",
                        "store": "Geschäft", "email": "E-Mail"},
                 "pl": {"website": "Strona", "app": "Aplikacja", "live_chat": "Czat", "phone_line": "Infolinia",
                        "store": "Sklep", "email": "E-mail"}})),
        dict(key="agree", type="matrix", page=2, settings={"statements": list(CUSTOMER_STATEMENTS)},
             texts=_texts({"en": "How far do you agree?", "de": "Wie sehr stimmen Sie zu?",
                           "pl": "Na ile się zgadzasz?"}, statements={
                 "en": {"easy_to_order": "Ordering was easy", "on_time": "My order arrived when promised",
                        "fair_price": "The price was fair", "staff_helpful": "Staff were helpful",
                        "app_works": "The website or app worked well"},
                 "de": {"easy_to_order": "Die Bestellung war einfach",
                        "on_time": "Die Lieferung kam wie versprochen", "fair_price": "Der Preis war fair",
                        "staff_helpful": "Die Mitarbeiter waren hilfsbereit",
                        "app_works": "Website oder App funktionierten gut"},
                 "pl": {"easy_to_order": "Zamawianie było proste",
                        "on_time": "Zamówienie dotarło na czas", "fair_price": "Cena była uczciwa",
                        "staff_helpful": "Obsługa była pomocna",
                        "app_works": "Strona lub aplikacja działały dobrze"}})),
        dict(key="contact", type="consent", page=3, texts=_texts({
            "en": "May we contact you about your answer?",
            "de": "Dürfen wir Sie zu Ihrer Antwort kontaktieren?",
            "pl": "Czy możemy skontaktować się z Tobą w sprawie odpowiedzi?"})),
        dict(key="again", type="yes_no", page=3, texts=_texts({
            "en": "Would you order from us again?", "de": "Würden Sie wieder bei uns bestellen?",
            "pl": "Czy zamówisz u nas ponownie?"})),
    ]
    for position, spec in enumerate(specs):
        survey.questions.append(Question(position=position, **spec))
    return survey


def safety_survey() -> Survey:
    """The worker survey: where, what, a description, then the safety-climate statements."""
    survey = Survey(
        slug=SAFETY_SLUG,
        title="Report a safety concern",
        audience="worker",
        retention_months=24,
        languages=["en", "pl", "de"],
        default_language="en",
        texts={
            "en": {"title": "Report a safety concern",
                   "intro": "Anonymous: we do not record who you are. Keep your receipt code to follow up.",
                   "thanks": "Thank you for speaking up. Keep your receipt code to see what we did."},
            "pl": {"title": "Zgłoś problem z bezpieczeństwem",
                   "intro": "Anonimowo: nie zapisujemy, kim jesteś. Zachowaj kod potwierdzenia.",
                   "thanks": "Dziękujemy za zgłoszenie. Zachowaj kod, aby sprawdzić, co zrobiliśmy."},
            "de": {"title": "Sicherheitsproblem melden",
                   "intro": "Anonym: Wir speichern nicht, wer Sie sind. Bewahren Sie Ihren Code auf.",
                   "thanks": "Danke für Ihre Meldung. Mit Ihrem Code sehen Sie, was wir getan haben."},
        },
    )
    specs: list[dict[str, Any]] = [
        dict(key="site", type="site", page=1, required=True, texts=_texts({
            "en": "Which site are you at?", "pl": "W którym zakładzie pracujesz?",
            "de": "An welchem Standort sind Sie?"})),
        dict(key="department", type="department", page=1, texts=_texts({
            "en": "Which department?", "pl": "Który dział?", "de": "Welche Abteilung?"})),
        dict(key="kind", type="single_choice", page=1, required=True, options=list(REPORT_KINDS),
             texts=_texts({"en": "What are you reporting?", "pl": "Co zgłaszasz?", "de": "Was melden Sie?"},
                          options={
                 "en": {"hazard": "A hazard", "near_miss": "A near miss", "suggestion": "A suggestion",
                        "praise": "Something done well"},
                 "pl": {"hazard": "Zagrożenie", "near_miss": "Zdarzenie potencjalnie wypadkowe",
                        "suggestion": "Sugestia", "praise": "Coś, co zrobiono dobrze"},
                 "de": {"hazard": "Eine Gefahr", "near_miss": "Einen Beinaheunfall",
                        "suggestion": "Einen Vorschlag", "praise": "Etwas, das gut gemacht wurde"}})),
        dict(key="describe", type="long_text", page=1, required=True, settings={"max_length": 2000},
             texts=_texts({"en": "Describe what you saw", "pl": "Opisz, co widziałeś",
                           "de": "Beschreiben Sie, was Sie gesehen haben"})),
        dict(key="hurt", type="yes_no", page=1, texts=_texts({
            "en": "Was anyone hurt?", "pl": "Czy ktoś został ranny?", "de": "Wurde jemand verletzt?"})),
        dict(key="climate", type="matrix", page=2, settings={"statements": list(CLIMATE_STATEMENTS)},
             texts=_texts({"en": "How far do you agree?", "pl": "Na ile się zgadzasz?",
                           "de": "Wie sehr stimmen Sie zu?"}, statements={
                 "en": {"no_blame": "I can report a hazard without fear of blame",
                        "supervisors_act": "Supervisors act on safety reports",
                        "trained": "I have the training I need to work safely",
                        "ppe_available": "The right PPE is there when I need it",
                        "safe_pace": "I can work safely at the pace expected"},
                 "pl": {"no_blame": "Mogę zgłosić zagrożenie bez obawy, że zostanę obwiniony",
                        "supervisors_act": "Przełożeni reagują na zgłoszenia",
                        "trained": "Mam szkolenie potrzebne do bezpiecznej pracy",
                        "ppe_available": "Odpowiednie ŚOI są dostępne, gdy ich potrzebuję",
                        "safe_pace": "Mogę pracować bezpiecznie w oczekiwanym tempie"},
                 "de": {"no_blame": "Ich kann Gefahren melden, ohne Schuldzuweisungen zu fürchten",
                        "supervisors_act": "Vorgesetzte handeln auf Sicherheitsmeldungen",
                        "trained": "Ich habe die Schulung, um sicher zu arbeiten",
                        "ppe_available": "Die richtige PSA ist da, wenn ich sie brauche",
                        "safe_pace": "Ich kann im erwarteten Tempo sicher arbeiten"}})),
    ]
    for position, spec in enumerate(specs):
        survey.questions.append(Question(position=position, **spec))
    return survey
