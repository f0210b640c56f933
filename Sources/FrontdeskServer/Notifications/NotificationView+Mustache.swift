import Mustache

/// The notification e-mail's view answers Mustache's look-ups itself, with no reflection: one is
/// rendered per message twice (text and HTML), and reflecting its twenty fields into a dictionary
/// (`MustacheView`) was a fifth of the rendering in a class-release rush. What a template sees is
/// what reflection gave it: the same names, an empty optional absent (the look-up goes on down the
/// stack), the changes a sequence of objects with `text` (`NotificationViewTests`).
extension NotificationRenderer.View: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "firstName": firstName
        case "orgName": orgName
        case "className": className
        case "when": when
        case "time": time
        case "location": location
        case "address": address
        case "reason": reason
        case "position": position
        case "link": link
        case "scheduleLink": scheduleLink
        case "subject": subject
        case "changes": changes
        case "headline": headline
        case "greeting": greeting
        case "lead": lead
        case "textLead": textLead
        case "footer": footer
        case "lang": lang
        case "t": t
        default: nil
        }
    }
}

extension NotificationRenderer.ChangeLine: MustacheParent {
    func child(named name: String) -> Any? { name == "text" ? text : nil }
}
