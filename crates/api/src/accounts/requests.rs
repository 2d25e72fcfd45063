//! Sign-up and sign-in bodies.

use domain::accounts::Password;
use domain::email::Email;
use domain::text::PersonName;
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use crate::http::problem::ApiError;
use crate::http::validation;

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    #[validate(required)]
    #[schema(value_type = String, max_length = 254, example = "ada@example.com")]
    pub email: Option<String>,
    /// 10..=128 characters.
    #[validate(required)]
    #[schema(value_type = String, min_length = 10, max_length = 128, example = "correct horse battery")]
    pub password: Option<String>,
    #[validate(required)]
    #[schema(value_type = String, example = "Ada Lovelace")]
    pub name: Option<String>,
}

impl RegisterRequest {
    pub fn parse(self) -> Result<(Email, Password, PersonName), ApiError> {
        let mut errors = validation::start(&self);
        let email = self
            .email
            .and_then(|raw| errors.check("email", Email::parse(&raw)));
        let password = self
            .password
            .and_then(|raw| errors.check("password", Password::parse(&raw)));
        let name = self
            .name
            .and_then(|raw| errors.check("name", PersonName::parse(&raw)));
        match (email, password, name) {
            (Some(email), Some(password), Some(name)) if errors.is_empty() => Ok((email, password, name)),
            _ => Err(ApiError::Validation(errors)),
        }
    }
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    #[validate(required, length(max = 254))]
    #[schema(value_type = String, example = "ada@example.com")]
    pub email: Option<String>,
    #[validate(required, length(max = 128))]
    #[schema(value_type = String)]
    pub password: Option<String>,
}

impl TokenRequest {
    pub fn parse(self) -> Result<(String, String), ApiError> {
        let errors = validation::start(&self);
        match (self.email, self.password) {
            (Some(email), Some(password)) if errors.is_empty() => Ok((email, password)),
            _ => Err(ApiError::Validation(errors)),
        }
    }
}
