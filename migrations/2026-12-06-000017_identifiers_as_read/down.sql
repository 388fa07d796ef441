DROP INDEX staff_employee_number_key;
CREATE UNIQUE INDEX staff_employee_number_key ON staff (client_id, employee_number)
    WHERE employee_number IS NOT NULL AND deleted_at IS NULL;
