"""Sign-in and account forms, with error messages in the GOV.UK style."""

from django import forms
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordResetForm,
    SetPasswordForm,
    UsernameField,
)


class SignInForm(AuthenticationForm):
    # The user model's length, as AuthenticationForm sets it when built.
    username = UsernameField(max_length=150, widget=forms.TextInput(attrs={"autofocus": True}))
    error_messages = {
        "invalid_login": "Enter a correct username and password",
        "inactive": "This account has been deactivated. Ask your administrator if you need it.",
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"
        self.fields["password"].strip = False


class ResetRequestForm(PasswordResetForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].error_messages.update(
            {
                "required": "Enter your email address",
                "invalid": (
                    "Enter an email address in the correct format, like name@example.gov.uk"
                ),
            }
        )


class NewPasswordForm(SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].error_messages["required"] = "Enter a new password"
        self.fields["new_password2"].error_messages["required"] = "Confirm your new password"
        self.error_messages["password_mismatch"] = "The passwords do not match"


class TwoFactorCodeForm(forms.Form):
    code = forms.CharField(
        label="Security code",
        help_text="The 6-digit code shown in your authenticator app",
        max_length=20,
        error_messages={
            "required": "Enter the 6-digit security code",
            "max_length": "The security code must be 6 digits",
        },
    )

    def __init__(self, *args, devices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.devices = list(devices)
        self.device = None

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if not code.isdigit() or len(code) != 6:
            raise forms.ValidationError("The security code must be 6 digits")
        throttled = False
        for device in self.devices:
            # django-otp waits longer after each wrong code (1 s, 2 s, 4 s…).
            allowed, _ = device.verify_is_allowed()
            if not allowed:
                throttled = True
            elif device.verify_token(code):
                self.device = device
                return code
        if throttled:
            raise forms.ValidationError(
                "A wrong code was entered just now: wait a few seconds, then enter the new code"
            )
        raise forms.ValidationError("The security code is not correct or has expired")
