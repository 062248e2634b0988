"""``{% load policy %}`` then ``{% if user|may:"complaint.reroute" %}``: templates show a link
or a button only when the policy table (``agencies.policy``) lets the user use it."""

from django import template

from agencies import policy

register = template.Library()


@register.filter
def may(user, verb: str) -> bool:
    return policy.may(user, verb)
