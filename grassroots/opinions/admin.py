from django.contrib import admin

from .models import Category, Department, Outlet


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "org", "contact")


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "org", "department", "deadline_workdays", "active")


@admin.register(Outlet)
class OutletAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "org", "territory")
