//! What the customer's email about an order says. Composed from the event's order document, the
//! same one subscribers receive, so the email shows the order as it was when the event happened.

use serde::Deserialize;

use super::kind::EventType;

/// An email due to a customer, as a worker claimed it.
#[derive(Debug, Clone, PartialEq)]
pub struct DueEmail {
    pub event_id: i64,
    /// Attempts made before this one.
    pub attempts: u32,
    pub kind: EventType,
    pub recipient: String,
    pub recipient_name: String,
    /// The order document of the event.
    pub order: serde_json::Value,
}

/// A composed email: both parts, and a `Message-ID` derived from the event, so a resend after a
/// lost acknowledgement is recognisably the same message.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomerEmail {
    pub message_id: String,
    pub to: String,
    pub to_name: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

#[derive(Deserialize)]
struct OrderDocument {
    id: i64,
    currency: String,
    subtotal: String,
    discount_total: String,
    shipping_total: String,
    total_amount: String,
    items: Vec<ItemDocument>,
}

#[derive(Deserialize)]
struct ItemDocument {
    name: String,
    quantity: i64,
    line_total: String,
}

/// Escapes text for HTML: names are the shop's, but a product name may hold `<`.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The email for `due`, or `None` when its event sends none or its document is not an order.
pub fn compose(due: &DueEmail, domain: &str) -> Option<CustomerEmail> {
    let order: OrderDocument = serde_json::from_value(due.order.clone()).ok()?;
    let (subject, opening) = match due.kind {
        EventType::OrderCreated => (
            format!("Order #{} confirmed", order.id),
            "Thank you for your order. Here is what you ordered:",
        ),
        EventType::OrderShipped => (
            format!("Order #{} has shipped", order.id),
            "Your order is on its way:",
        ),
        EventType::OrderCancelled => (
            format!("Order #{} was cancelled", order.id),
            "Your order was cancelled and will not be charged:",
        ),
        _ => return None,
    };
    let lines: Vec<(String, String)> = order
        .items
        .iter()
        .map(|item| {
            (
                format!("{} × {}", item.quantity, item.name),
                item.line_total.clone(),
            )
        })
        .collect();
    let totals = [
        ("Subtotal", &order.subtotal),
        ("Discount", &order.discount_total),
        ("Shipping", &order.shipping_total),
        ("Total", &order.total_amount),
    ];
    let mut text = format!("Hello {},\n\n{opening}\n\n", due.recipient_name);
    for (line, amount) in &lines {
        text.push_str(&format!("  {line}: {amount} {}\n", order.currency));
    }
    text.push('\n');
    for (label, amount) in totals {
        text.push_str(&format!("{label}: {amount} {}\n", order.currency));
    }
    let mut html = format!(
        "<p>Hello {},</p><p>{opening}</p><table>",
        escape(&due.recipient_name)
    );
    for (line, amount) in &lines {
        html.push_str(&format!(
            "<tr><td>{}</td><td>{} {}</td></tr>",
            escape(line),
            escape(amount),
            escape(&order.currency)
        ));
    }
    for (label, amount) in totals {
        html.push_str(&format!(
            "<tr><th>{label}</th><td>{} {}</td></tr>",
            escape(amount),
            escape(&order.currency)
        ));
    }
    html.push_str("</table>");
    Some(CustomerEmail {
        message_id: format!("<evt_{}@{domain}>", due.event_id),
        to: due.recipient.clone(),
        to_name: due.recipient_name.clone(),
        subject,
        text,
        html,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn due(kind: EventType) -> DueEmail {
        DueEmail {
            event_id: 42,
            attempts: 0,
            kind,
            recipient: "ada@example.com".into(),
            recipient_name: "Ada".into(),
            order: serde_json::json!({
                "id": 7, "currency": "USD", "subtotal": "20.00", "discount_total": "2.00",
                "shipping_total": "4.90", "total_amount": "22.90",
                "items": [{"name": "Mug <blue>", "quantity": 2, "line_total": "20.00"}]
            }),
        }
    }

    #[test]
    fn the_confirmation_lists_the_lines_and_totals_in_both_parts() {
        let email = compose(&due(EventType::OrderCreated), "shop.example").unwrap();

        assert_eq!(email.subject, "Order #7 confirmed");
        assert!(email.text.contains("2 × Mug <blue>: 20.00 USD"));
        assert!(email.text.contains("Total: 22.90 USD"));
        assert!(email.html.contains("Mug &lt;blue&gt;"), "HTML is escaped");
        assert_eq!(email.message_id, "<evt_42@shop.example>");
    }

    #[test]
    fn shipped_and_cancelled_orders_have_their_own_subject() {
        assert_eq!(
            compose(&due(EventType::OrderShipped), "s").unwrap().subject,
            "Order #7 has shipped"
        );
        assert_eq!(
            compose(&due(EventType::OrderCancelled), "s").unwrap().subject,
            "Order #7 was cancelled"
        );
    }

    #[test]
    fn an_event_that_sends_no_email_composes_none() {
        assert_eq!(compose(&due(EventType::OrderPaid), "s"), None);
    }
}
