//! One module per part of the console. A handler reads the request, calls the use case the API
//! calls for the same thing, and renders a page or redirects; the rules stay in the domain.

pub mod dashboard;
pub mod orders;
pub mod products;
pub mod reports;
pub mod sign_in;
pub mod staff_lists;
